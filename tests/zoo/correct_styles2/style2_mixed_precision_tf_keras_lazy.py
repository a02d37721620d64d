import numpy as np
from tensorflow import keras
from tensorflow.keras import mixed_precision

mixed_precision.set_global_policy("mixed_float16")

# no Input layer: built by the first call
mp_model = keras.Sequential(name="mlp_mixed")
mp_model.add(keras.layers.Dense(256, activation="relu"))
mp_model.add(keras.layers.Dense(64, activation="relu"))
mp_model.add(keras.layers.Dense(10, activation="softmax", dtype="float32"))
probs = mp_model(np.random.rand(3, 784).astype("float32"))
print(f"output dtype: {probs.dtype}, policy of first layer: {mp_model.layers[0].dtype_policy}")

mixed_precision.set_global_policy("float32")
