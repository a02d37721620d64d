# MLP three ways: Sequential built with .add(), functional, and a subclass with named attributes.
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
outputs = layers.Dense(10, activation="softmax")(x)
fn_model = keras.Model(inputs, outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1 = layers.Dense(256, activation="relu")
        self.d2 = layers.Dense(64, activation="relu")
        self.out = layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        x = self.d1(x)
        x = self.d2(x)
        return self.out(x)


sub_model = MLP()
sub_model(np.zeros((1, 784), dtype="float32"))

x = np.random.rand(4, 784).astype("float32")
seq_model.set_weights(fn_model.get_weights())
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), seq_model.predict(x, verbose=0), rtol=1e-6)
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
print("all three agree")
