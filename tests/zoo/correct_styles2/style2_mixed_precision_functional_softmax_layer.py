import numpy as np
import keras
from keras import layers

keras.config.set_dtype_policy("mixed_float16")
try:
    inputs = keras.Input(shape=(784,), name="pixels")
    x = layers.Dense(256, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    logits = layers.Dense(10, name="logits")(x)
    probs = layers.Softmax(dtype="float32", name="probs")(logits)
    mp_model = keras.Model(inputs, probs, name="mlp_mixed")
finally:
    keras.config.set_dtype_policy("float32")   # reset, even if something above fails

for layer in mp_model.layers[1:]:
    print(f"{layer.name:>8}: variables {layer.variable_dtype}, compute {layer.compute_dtype}")
print(mp_model.predict(np.random.rand(2, 784).astype("float32"), verbose=0).dtype)
