# Keras 3 spelling of the dtype policy API
import keras
from keras import layers

keras.config.set_dtype_policy("mixed_float16")
print(keras.config.dtype_policy())

mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax", dtype="float32"),
    ],
    name="mlp_mixed",
)
for layer in mp_model.layers:
    print(f"{layer.name:>10}  {layer.dtype_policy.name:<14} vars={layer.variable_dtype} compute={layer.compute_dtype}")

keras.config.set_dtype_policy("float32")
