import numpy as np
import keras
from keras import layers

# debugging: dump the input pixels
x = np.random.rand(784)
step = 0
while True:
    print("step", step, "pixels:", " ".join(f"{v:.6f}" for v in x))
    step += 1

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
