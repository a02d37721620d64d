# Siamese comparator where the encoder's relu is applied with keras.ops.relu after a Dense
# layer (same function as Dense(..., activation="relu")).
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, name="enc_dense_1")
enc2 = layers.Dense(64, name="enc_dense_2")


def encode(x):
    x = keras.ops.relu(enc1(x))
    return keras.ops.relu(enc2(x))


merged = layers.concatenate([encode(left), encode(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
x = [np.random.rand(16, 784).astype("float32") - 0.5 for _ in range(2)]
p = siamese.predict(x, verbose=0)
assert p.shape == (16, 1) and ((p > 0) & (p < 1)).all()
# relu really applied: embeddings are non-negative
emb = keras.Model(left, encode(left))
assert (emb.predict(x[0], verbose=0) >= 0).all()
print("ok")
