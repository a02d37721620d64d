import numpy as np
import keras
from keras import layers

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
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1 = layers.Dense(256, activation="relu")
        self.d2 = layers.Dense(64, activation="relu")
        self.d3 = layers.Dense(10, activation="softmax", dtype="float32")

    def call(self, inputs, training=False):
        return self.d3(self.d2(self.d1(inputs)))


# try mixed precision for the subclassed one, then switch back
keras.mixed_precision.set_global_policy("mixed_float16")
mp_sub = MLP()
mp_sub(np.zeros((1, 784), dtype="float32"))
print(mp_sub.layers[0].compute_dtype)
keras.mixed_precision.set_global_policy("float32")

sub_model = MLP()
sub_model(np.zeros((1, 784), dtype="float32"))
x = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
