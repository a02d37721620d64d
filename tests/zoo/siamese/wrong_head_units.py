import numpy as np
import keras
from keras import layers

# --- Inputs ---
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# --- Shared encoder ---
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64,  activation="relu", name="enc_dense_2")

def encode(x):
    return enc2(enc1(x))

left_emb  = encode(left)
right_emb = encode(right)

# --- Head: two outputs, one for "same" and one for "different" ---
merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(2, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

print("params:", siamese.count_params())
print("trainable weights:", len(siamese.trainable_weights))

batch = {
    "left":  np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
print("output shape:", p.shape)
