import numpy as np
import keras
from keras import layers

class Encoder(keras.Model):
    def __init__(self, **kw):
        super().__init__(**kw)
        # the embedding layer is declared first, the hidden one second
        self.embed = layers.Dense(64, activation="relu", name="enc_dense_2")
        self.hidden = layers.Dense(256, activation="relu", name="enc_dense_1")
    def call(self, x):
        return self.embed(self.hidden(x))
encoder = Encoder(name="encoder")          # ONE instance, called on both inputs
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
merged = layers.concatenate([encoder(left), encoder(right)])
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
