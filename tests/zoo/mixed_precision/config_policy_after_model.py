# Keras 3's spelling keras.config.set_dtype_policy("mixed_float16"), but called AFTER mp_model
# is built: every layer is plain float32 (policy_set_after_model); the policy is reset at the end.
import numpy as np
import keras
from keras import layers

mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax", dtype="float32"),
    ],
    name="mlp_mixed",
)
keras.config.set_dtype_policy("mixed_float16")

first = mp_model.layers[0]
print(first.dtype_policy, first.variable_dtype, first.compute_dtype)   # float32 float32 float32
print(mp_model.layers[-1].compute_dtype)

keras.config.set_dtype_policy("float32")
