import keras
from keras import layers


def build_mixed_mlp():
    """Mixed precision only while these layers are created; float32 again afterwards."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        return keras.Sequential(
            [
                keras.Input(shape=(784,)),
                layers.Dense(256, activation="relu"),
                layers.Dense(64, activation="relu"),
                layers.Dense(10, activation="softmax", dtype="float32"),
            ],
            name="mlp_mixed",
        )
    finally:
        keras.mixed_precision.set_global_policy(previous)


mp_model = build_mixed_mlp()
mp_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
print(type(mp_model.optimizer).__name__)   # LossScaleOptimizer under mixed precision
print(keras.mixed_precision.global_policy())
