import numpy as np
import keras
from keras import layers

# --- Inputs: two images to compare ---
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# --- Encoder ---
def build_encoder(x):
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(x)
    return x

left_emb  = build_encoder(left)
right_emb = build_encoder(right)

# --- Compare ---
merged = layers.concatenate([left_emb, right_emb])            # (None, 128)
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

# (1) Parameter count: encoder counted once.
assert siamese.count_params() == 217_537, siamese.count_params()

# (2) Weight sharing
assert len(siamese.trainable_weights) == 6

# (3) Forward pass sanity check.
batch = {
    "left":  np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
assert (p > 0).all() and (p < 1).all()
print("all checks passed")
