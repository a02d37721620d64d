# One MLP three ways. I come from PyTorch, so my subclassed model is written like an
# nn.Module: linear layers in __init__, activations applied as functions in call()
# (like F.relu(self.fc1(x)) / F.softmax(...)).
import numpy as np
import keras
from keras import layers, ops


def make_sequential():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="mlp_sequential",
    )


inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fc1 = layers.Dense(256)
        self.fc2 = layers.Dense(64)
        self.fc3 = layers.Dense(10)

    def call(self, x, training=False):
        x = ops.relu(self.fc1(x))
        x = ops.relu(self.fc2(x))
        return ops.softmax(self.fc3(x))


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
sub_model.summary()

x = np.random.rand(32, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0),
                           rtol=1e-6)
seq_model = make_sequential()
seq_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), seq_model.predict(x, verbose=0),
                           rtol=1e-6)
print("functional == subclassed == sequential ✓")
