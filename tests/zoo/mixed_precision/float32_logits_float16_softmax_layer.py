import keras
from keras import layers

keras.mixed_precision.set_global_policy("mixed_float16")

mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, dtype="float32"),   # head in float32
        layers.Activation("softmax"),
    ],
    name="mlp_mixed",
)

first = mp_model.layers[0]
print(first.dtype_policy, first.variable_dtype, first.compute_dtype)
print(mp_model.layers[-1].compute_dtype)

keras.mixed_precision.set_global_policy("float32")
