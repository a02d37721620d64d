# Siamese comparator; the head's sigmoid is applied with keras.ops, and the output is given as
# a dict so that it is still addressed as "same_digit" (ops.sigmoid would otherwise name it).
import numpy as np
import keras
from keras import layers, ops

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")

merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
logit = layers.Dense(1, name="same_digit")(merged)
prob = ops.sigmoid(logit)
siamese = keras.Model(inputs=[left, right], outputs={"same_digit": prob}, name="siamese_mlp")
siamese.summary()

assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
batch = [np.random.rand(16, 784).astype("float32") for _ in range(2)]
p = siamese.predict(batch, verbose=0)["same_digit"]
assert p.shape == (16, 1) and (p > 0).all() and (p < 1).all()
siamese.compile(optimizer="adam", loss={"same_digit": "binary_crossentropy"})
siamese.fit(batch, {"same_digit": np.random.randint(0, 2, (16, 1)).astype("float32")},
            epochs=1, verbose=0)
print("ok")
