# Activations as separate layers, but the head has none: the three models end in raw logits.
# (The softmax layer was dropped from all three builds.)
import numpy as np
import keras
from keras import layers


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(256), layers.Activation("relu"),
        layers.Dense(64), layers.ReLU(),
        layers.Dense(10),
    ], name="mlp_sequential")


seq_model = make_sequential()

inputs = keras.Input(shape=(784,))
h = layers.Activation("relu")(layers.Dense(256)(inputs))
h = layers.Activation("relu")(layers.Dense(64)(h))
outputs = layers.Dense(10)(h)
fn_model = keras.Model(inputs, outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1, self.a1 = layers.Dense(256), layers.Activation("relu")
        self.d2, self.a2 = layers.Dense(64), layers.Activation("relu")
        self.d3, self.a3 = layers.Dense(10), layers.Activation("linear")

    def call(self, x, training=False):
        return self.a3(self.d3(self.a2(self.d2(self.a1(self.d1(x))))))


sub_model = MLP()
x = np.random.rand(4, 784).astype("float32")
sub_model(x)
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
