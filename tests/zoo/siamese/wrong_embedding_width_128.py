import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(128, activation="relu", name="enc_dense_2")

def encode(x):
    return enc2(enc1(x))

left_emb = encode(left)
right_emb = encode(right)
merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
