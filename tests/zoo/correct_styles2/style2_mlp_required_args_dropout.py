# One MLP three ways. My subclass takes its sizes as required arguments (no defaults) and uses
# dropout after each activation, with `training` passed down explicitly.
import numpy as np
import keras
from keras import layers


def make_sequential():
    model = keras.Sequential(name="mlp_sequential")
    model.add(keras.Input(shape=(784,)))
    model.add(layers.Dense(256, activation="relu"))
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


seq_model = make_sequential()

inputs = keras.Input(shape=(784,))
x = layers.Dense(256, activation="relu")(inputs)
x = layers.Dense(64, activation="relu")(x)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x), name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, hidden_units, num_classes, dropout_rate, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = list(hidden_units)
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.dense_layers = [layers.Dense(u) for u in self.hidden_units]
        self.dropouts = [layers.Dropout(dropout_rate) for _ in self.hidden_units]
        self.classifier = layers.Dense(num_classes)

    def call(self, inputs, training=False):
        x = inputs
        for dense, drop in zip(self.dense_layers, self.dropouts):
            x = keras.activations.relu(dense(x))
            x = drop(x, training=training)
        return keras.activations.softmax(self.classifier(x))


sub_model = MLP([256, 64], 10, 0.25, name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
sub_model.summary()

x = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0),
                           rtol=1e-6)
print("functional == subclassed")
