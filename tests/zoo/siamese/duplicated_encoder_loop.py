import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# run both images through the encoder
embeddings = []
for inp in (left, right):
    x = layers.Dense(256, activation="relu")(inp)
    x = layers.Dense(64, activation="relu")(x)
    embeddings.append(x)

merged = layers.concatenate(embeddings)  # (None, 128)
same = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model([left, right], same, name="siamese_mlp")
siamese.summary()

# sanity checks
print("total params =", siamese.count_params())
print("num trainable weights =", len(siamese.trainable_weights))

batch = {
    "left": np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
print("ok, sample:", p[:3].ravel())
