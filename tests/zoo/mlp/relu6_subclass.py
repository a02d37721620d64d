# WRONG: the subclassed MLP uses relu6 (clipped at 6) instead of relu in call().
import numpy as np
import keras
from keras import layers, ops


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mlp_sequential")


seq_model = make_sequential()
inputs = keras.Input(shape=(784,))
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h), name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fc1 = layers.Dense(256)
        self.fc2 = layers.Dense(64)
        self.fc3 = layers.Dense(10)

    def call(self, x, training=False):
        x = ops.relu6(self.fc1(x))
        x = ops.relu6(self.fc2(x))
        return ops.softmax(self.fc3(x))


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
x = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
