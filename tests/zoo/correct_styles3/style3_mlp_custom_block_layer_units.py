import numpy as np
import keras
from keras import layers


class HiddenStack(layers.Layer):
    """relu Dense layers of the given widths."""

    def __init__(self, units=(256, 64), **kwargs):
        super().__init__(**kwargs)
        self.units = tuple(units)
        self.denses = [layers.Dense(u, activation="relu") for u in self.units]

    def call(self, x):
        for d in self.denses:
            x = d(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": list(self.units)}


def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                             layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")],
                            name="mlp_sequential")


seq_model = make_sequential()

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h), name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.body = HiddenStack(hidden_units)
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        return self.head(self.body(inputs))


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
sub_model.set_weights(fn_model.get_weights())
x = np.random.rand(4, 784).astype("float32")
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
print("ok", sub_model.count_params())
