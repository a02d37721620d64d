import keras
from keras import layers

# "dtype policy: keep the head in float32" — but the global policy was never switched on.
mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax", dtype="float32"),
    ],
    name="mlp_mixed",
)
print(mp_model.layers[0].compute_dtype)   # float32
