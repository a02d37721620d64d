"""The three-ways MLP with small helper functions at the top level, used by all three builds."""
import numpy as np
import keras
from keras import layers

HIDDEN = (256, 64)
NUM_CLASSES = 10


def hidden_layer(units):
    """One hidden layer, as the lesson writes it."""
    return layers.Dense(units, activation="relu")


def output_layer():
    return layers.Dense(NUM_CLASSES, activation="softmax")


def apply_block(x, units):
    return hidden_layer(units)(x)


def make_sequential():
    return keras.Sequential(
        [keras.Input(shape=(784,))] + [hidden_layer(u) for u in HIDDEN] + [output_layer()],
        name="mlp_sequential")


inputs = keras.Input(shape=(784,), name="pixels")
x = inputs
for u in HIDDEN:
    x = apply_block(x, u)
fn_model = keras.Model(inputs, output_layer()(x), name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, hidden_units=HIDDEN, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [hidden_layer(u) for u in hidden_units]
        self.head = output_layer()

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


seq_model = make_sequential()
sub_model = MLP()
sub_model(np.zeros((1, 784), dtype="float32"))
for m in (seq_model, fn_model, sub_model):
    assert m.count_params() == 218_058, m.count_params()
