import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")

merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

# Inputs as a dict, so callers must use the names.
siamese = keras.Model(inputs={"left": left, "right": right}, outputs=out, name="siamese_mlp")
siamese.summary()

batch = {"left": np.random.rand(16, 784).astype("float32"),
         "right": np.random.rand(16, 784).astype("float32")}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
assert (p > 0).all() and (p < 1).all()
