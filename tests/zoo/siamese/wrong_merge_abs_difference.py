import numpy as np
import keras
from keras import layers, ops

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")


def encode(x):
    return enc2(enc1(x))


left_emb = encode(left)
right_emb = encode(right)

# L1 distance between embeddings (like the Koch et al. siamese paper)
dist = keras.ops.abs(left_emb - right_emb)
out = layers.Dense(1, activation="sigmoid", name="same_digit")(dist)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_l1")
siamese.summary()

print("params:", siamese.count_params())
print("trainable:", len(siamese.trainable_weights))

batch = {
    "left": np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
print("done", p[:2].ravel())
