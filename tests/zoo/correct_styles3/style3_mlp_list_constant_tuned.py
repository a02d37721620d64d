import numpy as np
import keras
from keras import layers

HIDDEN = [128, 64]
HIDDEN[0] = 256   # 128 was too small, the lesson uses 256

def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mlp_sequential")


seq_model = make_sequential()

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, hidden=HIDDEN, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden]
        self.head = layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


sub_model = MLP()
sub_model.build((None, 784))   # the lesson says this is equivalent to a dummy call
