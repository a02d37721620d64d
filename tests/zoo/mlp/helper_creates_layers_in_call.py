# A helper called from call() makes a fresh Dense every time; only the head is made in __init__.
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
        self.head = layers.Dense(10, activation="softmax")

    def _block(self, x, units):
        return layers.Dense(units, activation="relu")(x)

    def call(self, x):
        x = self._block(x, 256)
        x = self._block(x, 64)
        return self.head(x)


sub_model = MLP()
print(sub_model(np.zeros((2, 784), "float32")).shape)
