import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# The whole encoder as one reusable sub-model
encoder = keras.Sequential(
    [
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
    ],
    name="encoder",
)

left_emb = encoder(left)
right_emb = encoder(right)   # same encoder object -> same weights

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
encoder.summary()

assert siamese.count_params() == 217_537, siamese.count_params()
assert len(siamese.trainable_weights) == 6

batch = {
    "left": np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
assert (p > 0).all() and (p < 1).all()
print("all good:", p[:3].ravel())
