"""Three-ways MLP whose hidden layers use the student's own relu capped at 6."""
import numpy as np
import keras
from keras import layers, ops


def my_relu(t):
    return ops.minimum(ops.maximum(t, 0.0), 6.0)   # "safe" relu, capped


def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)),
                             layers.Dense(256, activation=my_relu),
                             layers.Dense(64, activation=my_relu),
                             layers.Dense(10, activation="softmax")])


inputs = keras.Input(shape=(784,))
h = layers.Dense(64, activation=my_relu)(layers.Dense(256, activation=my_relu)(inputs))
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h))


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.h = [layers.Dense(256, activation=my_relu), layers.Dense(64, activation=my_relu)]
        self.o = layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        for l in self.h:
            x = l(x)
        return self.o(x)


seq_model = make_sequential()
sub_model = MLP()
sub_model(np.zeros((1, 784), "float32"))
