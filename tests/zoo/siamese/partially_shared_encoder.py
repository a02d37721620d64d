import numpy as np
import keras
from keras import layers

# inputs
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# shared first layer
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")

def encode(x):
    h = enc1(x)
    # second layer of the encoder
    return layers.Dense(64, activation="relu")(h)

left_emb  = encode(left)
right_emb = encode(right)

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

# check 2 from the task: the encoder is shared
assert enc1.kernel is siamese.get_layer("enc_dense_1").kernel
print("shared kernel check passed")
print("params:", siamese.count_params(), "weights:", len(siamese.trainable_weights))

batch = {
    "left":  np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
print(p.shape, bool((p > 0).all() and (p < 1).all()))
