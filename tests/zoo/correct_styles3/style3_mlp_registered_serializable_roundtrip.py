"""MLP three ways, with a subclassed model that survives save/load."""
import os
import tempfile

import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(42)


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
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


@keras.saving.register_keras_serializable(package="day02", name="MLP")
class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = tuple(hidden_units)
        self.num_classes = num_classes
        self.hidden = [layers.Dense(u, activation="relu") for u in self.hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, *args, **kwargs):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)

    def get_config(self):
        base = super().get_config()
        return {**base, "hidden_units": list(self.hidden_units), "num_classes": self.num_classes}


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))

for m in (seq_model, fn_model, sub_model):
    assert m.count_params() == 218_058, (m.name, m.count_params())

x = np.random.rand(4, 784).astype("float32")
seq_model.set_weights(fn_model.get_weights())
sub_model.set_weights(fn_model.get_weights())
ref = fn_model.predict(x, verbose=0)
np.testing.assert_allclose(ref, seq_model.predict(x, verbose=0), rtol=1e-6)
np.testing.assert_allclose(ref, sub_model.predict(x, verbose=0), rtol=1e-6)
print("three ways agree")

# round trip through the .keras format
path = os.path.join(tempfile.mkdtemp(), "mlp.keras")
sub_model.save(path)
restored = keras.models.load_model(path)
np.testing.assert_allclose(ref, restored.predict(x, verbose=0), rtol=1e-6)
print("restored:", type(restored).__name__, restored.count_params())
