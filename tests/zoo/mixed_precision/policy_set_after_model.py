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

keras.mixed_precision.set_global_policy("mixed_float16")
first = mp_model.layers[0]
print(first.dtype_policy, first.variable_dtype, first.compute_dtype)   # float32 float32 float32

keras.mixed_precision.set_global_policy("float32")
