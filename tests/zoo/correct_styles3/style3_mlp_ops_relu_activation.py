"""Three-ways MLP with activation=ops.relu on the hidden layers."""
import numpy as np
import keras
from keras import layers, ops


def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)),
                             layers.Dense(256, activation=ops.relu),
                             layers.Dense(64, activation=ops.relu),
                             layers.Dense(10, activation=ops.softmax)])


inputs = keras.Input(shape=(784,))
x = layers.Dense(256, activation=ops.relu)(inputs)
x = layers.Dense(64, activation=ops.relu)(x)
fn_model = keras.Model(inputs, layers.Dense(10, activation=ops.softmax)(x))


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.a = layers.Dense(256, activation=ops.relu)
        self.b = layers.Dense(64, activation=ops.relu)
        self.c = layers.Dense(10, activation=ops.softmax)

    def call(self, x, training=False):
        return self.c(self.b(self.a(x)))


seq_model = make_sequential()
sub_model = MLP()
sub_model(np.zeros((1, 784), "float32"))
