# Layers appended to a list inside build(), head too; sub_model trained one step.
import numpy as np
import keras
from keras import layers


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


seq_model = make_sequential()
inputs = keras.Input(shape=(784,))
x = layers.Dense(256, activation="relu")(inputs)
x = layers.Dense(64, activation="relu")(x)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


class MLP(keras.Model):
    def __init__(self, sizes=(256, 64, 10), **kwargs):
        super().__init__(**kwargs)
        self.sizes = sizes

    def build(self, input_shape):
        self.dense_layers = []
        for i, size in enumerate(self.sizes):
            act = "softmax" if i == len(self.sizes) - 1 else "relu"
            self.dense_layers.append(layers.Dense(size, activation=act))
        super().build(input_shape)

    def call(self, x):
        for layer in self.dense_layers:
            x = layer(x)
        return x


sub_model = MLP()
sub_model(np.zeros((1, 784), "float32"))
sub_model.set_weights(fn_model.get_weights())
xb = np.random.rand(4, 784).astype("float32")
np.testing.assert_allclose(fn_model(xb), sub_model(xb), rtol=1e-5, atol=1e-6)
print(sub_model.count_params())
