# A typo: concatenate([left_emb, left_emb]). The right embedding is computed but never used,
# so the `right` input does not reach the output at all: input_not_used. 217,537 params and
# 6 trainable weights, and every lesson assert passes.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")


def encode(x):
    return enc2(enc1(x))


left_emb = encode(left)
right_emb = encode(right)

merged = layers.concatenate([left_emb, left_emb])   # typo: should be right_emb
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

assert siamese.count_params() == 217_537, siamese.count_params()
assert len(siamese.trainable_weights) == 6
batch = {"left": np.random.rand(16, 784).astype("float32"),
         "right": np.random.rand(16, 784).astype("float32")}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
assert (p > 0).all() and (p < 1).all()
print("all checks passed")
