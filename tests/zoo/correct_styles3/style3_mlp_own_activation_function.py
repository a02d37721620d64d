"""Three-ways MLP whose hidden layers use an activation function of the student's own."""
import numpy as np
import keras
from keras import layers, ops


def my_relu(t):
    return ops.maximum(t, 0.0)


def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(256, activation=my_relu),
                             layers.Dense(64, activation=my_relu),
                             layers.Dense(10, activation="softmax")])


inputs = keras.Input(shape=(784,))
h = layers.Dense(256, activation=my_relu)(inputs)
h = layers.Dense(64, activation=my_relu)(h)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h))


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.h1 = layers.Dense(256, activation=my_relu)
        self.h2 = layers.Dense(64, activation=my_relu)
        self.out = layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        return self.out(self.h2(self.h1(x)))


seq_model = make_sequential()
sub_model = MLP()
sub_model(np.zeros((1, 784), "float32"))
