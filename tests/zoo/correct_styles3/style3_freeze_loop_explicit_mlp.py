"""All three builds, then the weights section on fn_model.

The subclassed MLP spells its layers out one by one (no list), and the first
Dense of fn_model is frozen by looking it up by name in a loop.
"""
import numpy as np
import keras
from keras import layers


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


seq_model = make_sequential()

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu", name="fc1")(inputs)
h = layers.Dense(64, activation="relu", name="fc2")(h)
outputs = layers.Dense(10, activation="softmax", name="head")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fc1 = layers.Dense(256, activation="relu")
        self.fc2 = layers.Dense(64, activation="relu")
        self.out = layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        return self.out(self.fc2(self.fc1(x)))


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
sub_model.set_weights(fn_model.get_weights())
x = np.random.rand(4, 784).astype("float32")
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0),
                           rtol=1e-6)

# ---- Under the hood: weights ----
print(len(fn_model.weights), len(fn_model.trainable_weights),
      len(fn_model.non_trainable_weights))                      # 6 6 0

for layer in fn_model.layers:
    if layer.name == "fc1":            # the first Dense
        layer.trainable = False
print("trainable after freezing fc1:", len(fn_model.trainable_weights))      # 4
assert len(fn_model.trainable_weights) == 4
assert len(fn_model.non_trainable_weights) == 2

fn_model.get_layer("fc1").trainable = True
print("trainable after unfreezing:", len(fn_model.trainable_weights))        # 6
assert len(fn_model.trainable_weights) == 6
