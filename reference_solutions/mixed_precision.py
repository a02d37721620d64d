"""Reference solution: the lesson's dtype-policy example."""
import keras
from keras import layers

keras.mixed_precision.set_global_policy("mixed_float16")

mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax", dtype="float32"),  # ← last layer stays float32!
    ],
    name="mlp_mixed",
)

first = mp_model.layers[0]
print(first.dtype_policy)      # <DTypePolicy "mixed_float16">
print(first.variable_dtype)    # float32  — storage
print(first.compute_dtype)     # float16  — math
print(mp_model.layers[-1].compute_dtype)  # float32 — we overrode the head

keras.mixed_precision.set_global_policy("float32")   # reset so the rest of the course is unaffected
