# Layers kept in a dict attribute.
import numpy as np
import keras
from keras import layers


def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                             layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])


seq_model = make_sequential()
inputs = keras.Input(shape=(784,))
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h))


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.blocks = {"hidden1": layers.Dense(256, activation="relu"),
                       "hidden2": layers.Dense(64, activation="relu"),
                       "head": layers.Dense(10, activation="softmax")}

    def call(self, x):
        x = self.blocks["hidden1"](x)
        x = self.blocks["hidden2"](x)
        return self.blocks["head"](x)


sub_model = MLP()
sub_model(np.zeros((1, 784), "float32"))
sub_model.set_weights(fn_model.get_weights())
xb = np.random.rand(4, 784).astype("float32")
np.testing.assert_allclose(fn_model(xb), sub_model(xb), rtol=1e-5, atol=1e-6)
print("ok")
