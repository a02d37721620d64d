# Subclassed MLP that creates its weights in build(), so sub_model.build() really builds it.
import numpy as np
import keras
from keras import layers


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


inp = keras.Input(shape=(784,))
fn_model = keras.Model(inp, layers.Dense(10, activation="softmax")(
    layers.Dense(64, activation="relu")(layers.Dense(256, activation="relu")(inp))))


class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = tuple(hidden_units)
        self.num_classes = num_classes
        self.hidden = [layers.Dense(u, activation="relu") for u in self.hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.hidden:
            layer.build(shape)
            shape = shape[:-1] + (layer.units,)
        self.head.build(shape)
        super().build(input_shape)

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)

    def get_config(self):
        config = super().get_config()
        config.update(hidden_units=list(self.hidden_units), num_classes=self.num_classes)
        return config


sub_model = MLP(name="mlp_subclassed")
sub_model.build(input_shape=(None, 784))
print(len(sub_model.weights), "weights after build()")
sub_model.set_weights(fn_model.get_weights())
x = np.random.rand(4, 784).astype("float32")
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
