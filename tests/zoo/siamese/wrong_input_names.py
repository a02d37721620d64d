import numpy as np
import keras
from keras import layers

# two images to compare
img_a = keras.Input(shape=(784,), name="img_a")
img_b = keras.Input(shape=(784,), name="img_b")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")

def encode(x):
    return enc2(enc1(x))

emb_a = encode(img_a)
emb_b = encode(img_b)

merged = layers.concatenate([emb_a, emb_b])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[img_a, img_b], outputs=out, name="siamese_mlp")
siamese.summary()

print("params:", siamese.count_params())
print("weights:", len(siamese.trainable_weights))

batch = {
    "img_a": np.random.rand(16, 784).astype("float32"),
    "img_b": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
print("ok")
