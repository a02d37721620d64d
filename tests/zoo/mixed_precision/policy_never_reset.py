import numpy as np
import keras
from keras import layers

keras.mixed_precision.set_global_policy("mixed_float16")

mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax", dtype="float32"),
    ],
    name="mlp_mixed",
)
print(mp_model.layers[0].compute_dtype, mp_model.layers[-1].compute_dtype)

# Next experiment: a tiny classifier on 8 metadata features. Built while the policy is still on.
small_model = keras.Sequential(
    [keras.Input(shape=(8,)), layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")],
    name="meta_classifier",
)
print(small_model.predict(np.random.rand(2, 8).astype("float32"), verbose=0).dtype)   # float16
