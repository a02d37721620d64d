"""Mixed precision without touching the global policy: the policy goes on each layer."""
import keras
from keras import layers

mixed = keras.mixed_precision.Policy("mixed_float16")

mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu", dtype=mixed),
        layers.Dense(64, activation="relu", dtype=mixed),
        layers.Dense(10, activation="softmax", dtype="float32"),   # head stays float32
    ],
    name="mlp_mixed",
)

for layer in mp_model.layers:
    print(f"{layer.name:<10} policy={layer.dtype_policy.name:<14} "
          f"variables={layer.variable_dtype:<8} compute={layer.compute_dtype}")

first = mp_model.layers[0]
assert first.variable_dtype == "float32" and first.compute_dtype == "float16"
assert mp_model.layers[-1].compute_dtype == "float32"
print("global policy untouched:", keras.mixed_precision.global_policy().name)
