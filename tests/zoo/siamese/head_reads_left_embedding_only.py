# The concatenation is built, but the head is wired to left_emb: the `right` input never reaches
# the output (input_not_used). Head 64x1+1 = 65 params, total 217,473, 6 trainable weights.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")

left_emb = enc2(enc1(left))
right_emb = enc2(enc1(right))

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(left_emb)   # should read `merged`

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
print(siamese.count_params(), len(siamese.trainable_weights))
