import numpy as np
import keras
from keras import layers

# --- Inputs: two images to compare ---
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# --- Shared encoder: instantiate ONCE, call TWICE ---
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64,  activation="relu", name="enc_dense_2")

def encode(x):
    return enc2(enc1(x))     # same layer objects → same weights on both paths

left_emb  = encode(left)     # (None, 64)
right_emb = encode(right)    # (None, 64) — through the SAME weights

# --- Compare ---
merged = layers.concatenate([left_emb, right_emb])            # (None, 128)
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

# (1) Parameter count: encoder counted once.
#     enc1: 784*256 + 256 = 200,960
#     enc2: 256*64  + 64  =  16,448
#     head: 128*1   + 1   =     129
#     total               = 217,537
assert siamese.count_params() == 217_537, siamese.count_params()

# (2) Weight sharing: 3 layers with weights → 3 kernels + 3 biases = 6 variables,
#     even though the encoder appears at two call sites.
assert len(siamese.trainable_weights) == 6

# ...and it's identity-level sharing, not copies:
assert enc1.kernel is siamese.get_layer("enc_dense_1").kernel

# (3) Forward pass sanity check.
batch = {
    "left":  np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
assert (p > 0).all() and (p < 1).all()

# Bonus sanity: identical pairs give identical embeddings, so the model is
# symmetric-in-weights by construction (not symmetric-in-arguments — order
# of concatenation still matters, which is fine for this task).
same = siamese.predict({"left": batch["left"], "right": batch["left"]}, verbose=0)
print("all checks passed ✓  sample outputs:", p[:3].ravel(), same[:3].ravel())
