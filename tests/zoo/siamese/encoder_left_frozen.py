# The encoder layers frozen with trainable=False "so both sides stay identical" and never
# unfrozen: 217,537 params but only 2 trainable weights, the encoder never learns
# (unexpected_weight_count). A siamese file with no fn_model: not an attempt at the weights section.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
# freeze the encoder so the two branches cannot drift apart
enc1.trainable = False
enc2.trainable = False

left_emb = enc2(enc1(left))
right_emb = enc2(enc1(right))

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
print(siamese.count_params(), len(siamese.trainable_weights), len(siamese.weights))
