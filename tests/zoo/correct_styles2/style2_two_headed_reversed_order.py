# metadata first, is_hard first: the lists follow that order everywhere
import numpy as np
import keras
from keras import layers

meta_in = keras.Input(shape=(8,), name="metadata")
img_in = keras.Input(shape=(784,), name="pixels")

m = layers.Dense(16, activation="relu")(meta_in)
x = layers.Dense(256, activation="relu")(img_in)
x = layers.Dense(64, activation="relu")(x)

merged = layers.concatenate([m, x])            # 16 + 64 = 80
hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)
digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)

two_headed = keras.Model(inputs=[meta_in, img_in], outputs=[hard_out, digit_out])
two_headed.compile(
    optimizer="rmsprop",
    loss=["binary_crossentropy", "sparse_categorical_crossentropy"],
    loss_weights=[0.3, 1.0],
    metrics=[[], ["accuracy"]],
)

n = 128
meta = np.random.rand(n, 8).astype("float32")
pix = np.random.rand(n, 784).astype("float32")
two_headed.fit(
    [meta, pix],
    [np.random.randint(0, 2, size=(n, 1)).astype("float32"), np.random.randint(0, 10, size=(n,))],
    epochs=1, batch_size=32, verbose=0,
)
