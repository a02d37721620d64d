import numpy as np
import keras
from keras import layers, mixed_precision

mixed_precision.set_global_policy(keras.mixed_precision.DTypePolicy("mixed_float16"))
print(mixed_precision.global_policy())

inputs = keras.Input(shape=(784,))
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax",
                       dtype=keras.mixed_precision.DTypePolicy("float32"))(h)
mp_model = keras.Model(inputs, outputs, name="mlp_mixed")

out = mp_model(np.random.rand(2, 784).astype("float32"))
print(out.dtype)   # float32

mixed_precision.set_global_policy(mixed_precision.DTypePolicy("float32"))
