# The TensorFlow mixed-precision guide's way: the Dense may compute in float16,
# the softmax itself runs in float32 in its own Activation layer.
import keras
from keras import layers

keras.mixed_precision.set_global_policy("mixed_float16")

mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10),                                   # logits (float16 math)
        layers.Activation("softmax", dtype="float32"),      # softmax in float32
    ],
    name="mlp_mixed",
)
print(mp_model.layers[-1].compute_dtype)   # float32
print(mp_model(keras.ops.ones((1, 784))).dtype)   # float32

keras.mixed_precision.set_global_policy("float32")
