"""The Day 2 task only: siamese comparator, with the three verifications.
For (2) I print all three variable lists, like the lesson does for fn_model."""
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")

# (1) encoder counted once
siamese.summary()
assert siamese.count_params() == 217_537

# (2) weight sharing: 3 kernels + 3 biases, nothing non-trainable
print("weights:", len(siamese.weights))
print("trainable:", len(siamese.trainable_weights))
print("non-trainable:", len(siamese.non_trainable_weights))
assert (len(siamese.weights), len(siamese.trainable_weights),
        len(siamese.non_trainable_weights)) == (6, 6, 0)

# (3) forward pass
p = siamese.predict({"left": np.random.rand(16, 784).astype("float32"),
                     "right": np.random.rand(16, 784).astype("float32")}, verbose=0)
assert p.shape == (16, 1) and (p > 0).all() and (p < 1).all()
