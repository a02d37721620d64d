import numpy as np
import keras
from keras import layers
left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs={"right": right, "left": left}, outputs=out, name="siamese_mlp")
p = siamese.predict({"left": np.random.rand(4, 784), "right": np.random.rand(4, 784)}, verbose=0)
assert p.shape == (4, 1)
