import numpy as np
import keras
from keras import layers

# --- Inputs: two images to compare ---
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# --- Shared encoder: instantiate ONCE, call TWICE ---
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64,  activation="relu", name="enc_dense_2")
head = layers.Dense(1, activation="sigmoid", name="same_digit"

def encode(x):
    return enc2(enc1(x))

left_emb  = encode(left)
right_emb = encode(right)

merged = layers.concatenate([left_emb, right_emb])
out = head(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

batch = {
    "left":  np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
print(siamese.predict(batch, verbose=0).shape)
