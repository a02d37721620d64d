"""Three-ways MLP whose layer lists grow with +=."""
import numpy as np
import keras
from keras import layers


def dense_relu(u):
    return [layers.Dense(u), layers.Activation("relu")]


def make_sequential():
    stack = [keras.Input(shape=(784,))]
    for u in (256, 64):
        stack += dense_relu(u)
    stack += [layers.Dense(10, activation="softmax")]
    return keras.Sequential(stack)


inputs = keras.Input(shape=(784,))
x = inputs
for u in (256, 64):
    x = layers.Dense(u, activation="relu")(x)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(256, activation="relu"), layers.Dense(64, activation="relu")]
        self.head = layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


seq_model = make_sequential()
sub_model = MLP()
sub_model(np.zeros((1, 784), "float32"))
