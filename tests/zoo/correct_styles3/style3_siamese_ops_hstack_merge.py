import numpy as np
import keras
from keras import layers

from keras import ops
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64,  activation="relu", name="enc_dense_2")
merged = ops.hstack([enc2(enc1(left)), enc2(enc1(right))])     # (None, 128)
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")

# ---- the lesson's checks ----
siamese.summary()
assert siamese.count_params() == 217_537, siamese.count_params()
assert len(siamese.trainable_weights) == 6
batch = {
    "left":  np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
if isinstance(p, dict):
    p = p["same_digit"]
assert p.shape == (16, 1)
assert (p > 0).all() and (p < 1).all()
same = siamese.predict({"left": batch["left"], "right": batch["left"]}, verbose=0)
print("all checks passed", np.ravel(p)[:3])
