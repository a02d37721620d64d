"""Mixed precision, subclassed: the float32 head is declared first so it is not forgotten."""
import numpy as np
import keras
from keras import layers

keras.mixed_precision.set_global_policy("mixed_float16")


class MixedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # 1) the one layer that must NOT follow the global policy
        self.classifier = layers.Dense(10, activation="softmax", dtype="float32")
        # 2) the body: mixed_float16 from the global policy
        self.dense_256 = layers.Dense(256, activation="relu")
        self.dense_64 = layers.Dense(64, activation="relu")

    def call(self, x):
        return self.classifier(self.dense_64(self.dense_256(x)))


mp_model = MixedMLP(name="mlp_mixed")
probs = mp_model(np.random.rand(2, 784).astype("float32"))
print(mp_model.dense_256.dtype_policy, mp_model.dense_256.variable_dtype,
      mp_model.dense_256.compute_dtype)                      # mixed_float16 float32 float16
print(mp_model.classifier.compute_dtype, probs.dtype)        # float32 float32
assert mp_model.dense_256.compute_dtype == "float16"
assert mp_model.dense_64.compute_dtype == "float16"
assert mp_model.classifier.compute_dtype == "float32"
assert mp_model.count_params() == 218_058

keras.mixed_precision.set_global_policy("float32")
