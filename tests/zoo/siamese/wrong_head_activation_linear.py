import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")

def encode(x):
    return enc2(enc1(x))

left_emb = encode(left)
right_emb = encode(right)

merged = layers.concatenate([left_emb, right_emb])
# output logit, will use from_logits=True in the loss later
out = layers.Dense(1, name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
print(siamese.count_params(), len(siamese.trainable_weights))

batch = {
    "left": np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
logits = siamese.predict(batch, verbose=0)
print("logits shape", logits.shape)
